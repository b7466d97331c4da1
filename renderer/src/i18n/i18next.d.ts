import 'i18next';
import type en from '#contract/locales/en.json';

/** Keys are checked at compile time: `t('histroy.title')` is a type error, as is a key built at run time. */
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
    returnNull: false;
  }
}
