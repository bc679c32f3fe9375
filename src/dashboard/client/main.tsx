/**
 * The dashboard's one script: mounts each island the server marked with `data-island`.
 */
import './style.css';
import { mountFork } from './fork.js';
import { mountAction, mountSignalForm } from './forms.js';
import { mountRunLive } from './run-live.js';
import { mountRunsLive } from './runs-live.js';

const islands: Record<string, (el: HTMLElement) => void> = {
  'runs-live': mountRunsLive,
  'run-live': mountRunLive,
  signal: (el) => mountSignalForm(el as HTMLFormElement),
  action: (el) => mountAction(el as HTMLFormElement),
  fork: (el) => mountFork(el as HTMLFormElement),
};

for (const el of document.querySelectorAll<HTMLElement>('[data-island]')) {
  islands[el.dataset.island ?? '']?.(el);
}
document.documentElement.dataset.ready = 'true';
