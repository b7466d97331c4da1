import { Component, type ReactNode } from 'react';
import { Translation } from 'react-i18next';

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
      <Translation>
        {(t) => (
          <section className="page" role="alert">
            <h1>{t('app.screenFailedTitle')}</h1>
            <p>
              {t('app.screenFailedText')}{' '}
              <button type="button" className="button button--secondary" onClick={() => location.reload()}>
                {t('app.reload')}
              </button>
            </p>
          </section>
        )}
      </Translation>
    );
  }
}
