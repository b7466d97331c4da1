import { z } from 'zod';

/**
 * TofuPilot's v2 create-run request, restated field by field from their Python client's
 * request models (tofupilot/python-client @ 1fbfb0ab, tofupilot/v2/models/run_createop.py:
 * RunCreateRequest, RunCreatePhase, RunCreateMeasurement, XAxis, YAxi, RunCreateValidator,
 * RunCreateAggregation, RunCreateLog). Strict: a field their models do not have fails, so
 * a test catches a name we made up as well as a type they would refuse.
 */
const ResultOutcome = z.enum(['PASS', 'FAIL', 'UNSET']);
const ExpectedValue = z.union([z.boolean(), z.number(), z.string(), z.array(z.number()), z.array(z.string())]);

export const TpValidator = z
  .object({
    outcome: ResultOutcome.nullable().optional(),
    operator: z.string().nullable().optional(),
    expected_value: ExpectedValue.nullable().optional(),
    expression: z.string().nullable().optional(),
    is_decisive: z.boolean().nullable().optional(),
  })
  .strict();

export const TpAggregation = z
  .object({
    type: z.string(),
    outcome: ResultOutcome.nullable().optional(),
    value: z.union([z.number(), z.string(), z.boolean()]).nullable().optional(),
    unit: z.string().nullable().optional(),
    validators: z.array(TpValidator).nullable().optional(),
  })
  .strict();

export const TpAxis = z
  .object({
    data: z.array(z.number()),
    units: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    validators: z.array(TpValidator).nullable().optional(),
    aggregations: z.array(TpAggregation).nullable().optional(),
  })
  .strict();

export const TpMeasurement = z
  .object({
    name: z.string(),
    outcome: ResultOutcome,
    x_axis: TpAxis.nullable().optional(),
    y_axis: z.array(TpAxis).nullable().optional(),
    measured_value: z
      .union([z.number(), z.string(), z.boolean(), z.array(z.array(z.number())), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .nullable()
      .optional(),
    units: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    lower_limit: z.number().optional(),
    upper_limit: z.number().optional(),
    validators: z.array(TpValidator).nullable().optional(),
    aggregations: z.array(TpAggregation).nullable().optional(),
    docstring: z.string().nullable().optional(),
  })
  .strict();

export const TpPhase = z
  .object({
    name: z.string(),
    outcome: z.enum(['PASS', 'FAIL', 'SKIP', 'ERROR']),
    started_at: z.iso.datetime({ offset: true }),
    ended_at: z.iso.datetime({ offset: true }),
    docstring: z.string().nullable().optional(),
    measurements: z.array(TpMeasurement).nullable().optional(),
    retry_count: z.number().int().nonnegative().optional(),
  })
  .strict();

export const TpLog = z
  .object({
    level: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']),
    timestamp: z.iso.datetime({ offset: true }),
    message: z.string().max(10_000),
    source_file: z.string(),
    line_number: z.number(),
  })
  .strict();

export const TpRunCreate = z
  .object({
    outcome: z.enum(['PASS', 'FAIL', 'ERROR', 'TIMEOUT', 'ABORTED']),
    procedure_id: z.string(),
    started_at: z.iso.datetime({ offset: true }),
    ended_at: z.iso.datetime({ offset: true }),
    serial_number: z.string(),
    procedure_version: z.string().nullable().optional(),
    operated_by: z.string().optional(),
    part_number: z.string().optional(),
    revision_number: z.string().optional(),
    batch_number: z.string().optional(),
    sub_units: z.array(z.string()).optional(),
    docstring: z.string().optional(),
    phases: z.array(TpPhase).nullable().optional(),
    logs: z.array(TpLog).nullable().optional(),
  })
  .strict();
export type TpRunCreate = z.infer<typeof TpRunCreate>;
