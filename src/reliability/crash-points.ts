/**
 * Named points where the process can be made to die at once (SIGKILL), for the crash tests: set
 * DOMBRIDGE_CRASH_AT to one of the names. Read once at start-up; with it unset (always, in production) a crash
 * point costs one comparison.
 */
export type CrashPoint =
  | 'submit:after-payment'
  | 'submit:after-commit'
  | 'transfer:after-pending-commit'
  | 'transfer:after-send'
  | 'email:after-send';

const armed = process.env['DOMBRIDGE_CRASH_AT'];

export function crashPoint(name: CrashPoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
