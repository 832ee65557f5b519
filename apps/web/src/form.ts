// The forms' shared pieces: a label bound to its control, the error line under a form, and a
// submit that disables its button while the request runs and shows the API's message on failure.
import { h, type Attrs } from './dom';
import { describeError } from './errors';

export interface Field<E extends HTMLElement> {
  control: E;
  /** Label then control, ready to drop into a form. */
  nodes: [HTMLLabelElement, E];
}

/** Labels a control by its id; `hiddenLabel` keeps it for screen readers only. */
export function labelled<E extends HTMLInputElement | HTMLSelectElement>(
  label: string,
  control: E,
  options: { hiddenLabel?: boolean } = {},
): Field<E> {
  const text = h('label', { for: control.id, class: options.hiddenLabel ? 'visually-hidden' : null }, label);
  return { control, nodes: [text, control] };
}

/** An <input> with its label. */
export function field(
  label: string,
  attrs: Attrs & { id: string },
  options: { hiddenLabel?: boolean } = {},
): Field<HTMLInputElement> {
  return labelled(label, h('input', attrs), options);
}

/** The error line of a form, announced when it changes. */
export function formError(testid: string): HTMLParagraphElement {
  return h('p', { class: 'error', role: 'alert', testid });
}

/** Runs `action` on submit (no page reload); a failure shows the API's message in `error`. */
export function onSubmit(
  form: HTMLFormElement,
  button: HTMLButtonElement,
  error: HTMLElement,
  action: () => Promise<void>,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    action()
      .catch((e: unknown) => {
        error.textContent = describeError(e);
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}
