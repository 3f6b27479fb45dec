// Worker entry of the fuzz pool: registers tsx in this thread (workers do not
// inherit the parent's --import hooks on Node 20), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
