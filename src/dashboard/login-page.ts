import type { Locale } from '../tenants/settings.js';
import { esc, page } from './layout.js';
import { dashText } from './texts.js';

/**
 * The page a one-time link opens. It does not use the link: a POST does, sent by the page's script at once (or by
 * the button). Link previews and scanners fetch with GET and run no script, so they cannot burn a person's link.
 */
export function loginPage(locale: Locale, token: string): string {
  const t = (key: string) => dashText(locale, key);
  return page(locale, t('login_title'), `<main class="message"><h1>${esc(t('login_title'))}</h1>
    <form method="post" action="/dashboard/login/${esc(token)}" id="login"><p>${esc(t('login_intro'))}</p>
    <button type="submit" data-testid="login-button">${esc(t('login_button'))}</button></form></main>
    <script src="/dashboard/assets/login.js"></script>`);
}

/** The Telegram Login Widget for `bot`; its answer comes back to /dashboard/telegram-login. */
export function widgetPage(locale: Locale, bot: string): string {
  return page(locale, dashText(locale, 'login_with_telegram'), `<main class="message"><h1>${esc(dashText(locale, 'login_with_telegram'))}</h1>
    <script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-login="${esc(bot)}" data-size="large"
      data-auth-url="/dashboard/telegram-login" data-request-access="write"></script></main>`);
}
