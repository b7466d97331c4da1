import { Component, type ReactNode } from 'react';

/**
 * Screens load as their own chunks: one that cannot load (a headless station restarting
 * when it was first opened) or fails to render says so instead of blanking the window.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="page" role="alert">
        <h1>This page could not be shown</h1>
        <p>
          Its code did not load or it failed to render. Results are kept by the station.{' '}
          <button type="button" className="button button--secondary" onClick={() => location.reload()}>
            Reload
          </button>
        </p>
      </section>
    );
  }
}
