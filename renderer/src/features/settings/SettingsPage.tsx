/** The station's settings, edited by a supervisor. */
export function SettingsPage() {
  return (
    <section className="page" aria-labelledby="settings-title">
      <h1 id="settings-title">Station settings</h1>
    </section>
  );
}
