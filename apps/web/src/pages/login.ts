// #/login?next= — log in (or create an account), then go back to the page that asked for it.
import type { LoginResult } from '../api';
import { DEMO_EMAIL } from '../categories';
import type { PageContext } from '../context';
import { h, replace } from '../dom';
import { field, formError, onSubmit } from '../form';
import { afterLogin } from '../router';

export function renderLogin(ctx: PageContext, next: string): void {
  const target = afterLogin(next);
  const email = field('Email', {
    type: 'email',
    id: 'login-email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    testid: 'login-email',
  });
  const password = field('Password', {
    type: 'password',
    id: 'login-password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    testid: 'login-password',
  });
  const error = formError('login-error');
  const submit = h('button', { type: 'submit', testid: 'login-submit' }, 'Log in');
  const form = h(
    'form',
    { class: 'stack', testid: 'login-form' },
    email.nodes,
    password.nodes,
    submit,
    error,
  );
  onSubmit(form, submit, error, async () => {
    const result = await ctx.api.login(email.control.value.trim(), password.control.value);
    welcome(ctx, result, 'Welcome');
    void ctx.refreshCartCount();
    ctx.go(target);
  });
  const hint = h(
    'p',
    { class: 'hint', testid: 'demo-hint' },
    'Demo account: ',
    h('code', {}, DEMO_EMAIL),
    ' with the stack’s demo password. ',
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        testid: 'use-demo-email',
        onclick: () => {
          email.control.value = DEMO_EMAIL;
          password.control.focus();
        },
      },
      'Use the demo email',
    ),
  );
  replace(ctx.view, h('h1', {}, 'Log in'), hint, form, registerForm(ctx, target));
  email.control.focus();
}

/** Registration, folded under the login form: create the account, then log straight in. */
function registerForm(ctx: PageContext, target: string): HTMLElement {
  const name = field('Name', {
    id: 'register-name',
    name: 'name',
    autocomplete: 'name',
    required: true,
    testid: 'register-name',
  });
  const email = field('Email', {
    type: 'email',
    id: 'register-email',
    name: 'email',
    autocomplete: 'email',
    required: true,
    testid: 'register-email',
  });
  const password = field('Password (at least 8 characters)', {
    type: 'password',
    id: 'register-password',
    name: 'password',
    autocomplete: 'new-password',
    minlength: 8,
    required: true,
    testid: 'register-password',
  });
  const error = formError('register-error');
  const submit = h('button', { type: 'submit', testid: 'register-submit' }, 'Create account');
  const form = h('form', { class: 'stack' }, name.nodes, email.nodes, password.nodes, submit, error);
  onSubmit(form, submit, error, async () => {
    const address = email.control.value.trim();
    await ctx.api.register(address, password.control.value, name.control.value.trim());
    welcome(ctx, await ctx.api.login(address, password.control.value), 'Account created. Welcome');
    ctx.go(target);
  });
  return h('details', { class: 'register' }, h('summary', {}, 'New here? Create an account'), form);
}

function welcome(ctx: PageContext, result: LoginResult, greeting: string): void {
  ctx.session.start(result);
  ctx.flash.say(`${greeting}, ${result.user.name ?? result.user.email}.`);
}
