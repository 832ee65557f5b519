// What every page shares, handed to it by the App: the session, the API client, the view to draw
// in, the flash line, navigation and the nav's cart count. Pages get this one small object instead
// of reaching into the App, so each page module reads on its own.
import { ApiError, type ApiClient, type CheckoutAccepted } from './api';
import type { CheckoutAttempts } from './checkout-attempt';
import { h, replace } from './dom';
import { loginHref } from './router';
import type { Session } from './session';

export interface PageContext {
  readonly session: Session;
  readonly api: ApiClient;
  /** The page's <main>: a page replaces its children. */
  readonly view: HTMLElement;
  readonly flash: Flash;
  /** Checkout state that outlives one page: the cart's pending attempt, the order page's head start. */
  readonly checkout: { readonly attempts: CheckoutAttempts; last: CheckoutAccepted | null };
  /** Navigate to a hash route (re-renders when it is the current one). */
  go(hash: string): void;
  /** Draw the current route again (after the cart changed). */
  rerender(): Promise<void>;
  /** Something to stop when the user leaves this page (the order's SSE stream). */
  onLeave(stop: () => void): void;
  setCartCount(count: number | null): void;
  refreshCartCount(): Promise<void>;
}

/** `render(ctx, current)`: `current()` turns false once the user has moved on, so late answers are dropped. */
export type StillCurrent = () => boolean;

/** The one status line under the header. */
export class Flash {
  readonly element = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite', testid: 'flash' });
  /** A message set just before navigating survives that one render, then clears. */
  private fresh = false;

  say(message: string, kind: 'info' | 'error' = 'info'): void {
    this.element.className = `flash ${kind}`;
    this.element.textContent = message;
    this.fresh = true;
  }

  /** Called on every render. */
  turnPage(): void {
    if (this.fresh) this.fresh = false;
    else this.element.textContent = '';
  }
}

/** Pages behind a login send the user there first, and back here afterwards. */
export function requireLogin(ctx: PageContext, next: string): boolean {
  if (ctx.session.token) return true;
  ctx.go(loginHref(next));
  return false;
}

/** 401 while logged in: the token expired or was revoked. Returns whether it was handled. */
export function handleAuthError(ctx: PageContext, error: unknown, next: string): boolean {
  if (error instanceof ApiError && error.status === 401) {
    ctx.session.clear();
    ctx.flash.say('Your session has expired. Please log in again.', 'error');
    ctx.go(loginHref(next));
    return true;
  }
  return false;
}

export function showLoading(ctx: PageContext, text: string): void {
  replace(ctx.view, h('p', { class: 'loading', 'aria-busy': 'true' }, text));
}
