/** The connection indicator, a Preact island re-rendered as the stream's state changes. */
import { render } from 'preact';

/** Renders the state of a live stream into `el`. */
export function showLiveState(el: Element | null, state: string): void {
  if (!el) return;
  // The server's placeholder text goes once; Preact owns the element from then on.
  if (!el.hasAttribute('data-mounted')) {
    el.textContent = '';
    el.setAttribute('data-mounted', '');
  }
  render(<span class={`live-${state.replace(/\W+/g, '-')}`}>live updates: {state}</span>, el);
}
