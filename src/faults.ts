/**
 * Named points where tests inject a crash, to prove that a run killed there leaves the state
 * intact. Inert unless KONTOKOLL_FAULT_INJECTION names the point; never set it in production.
 */
export function faultPoint(name: "kill-while-recording"): void {
  if (process.env.KONTOKOLL_FAULT_INJECTION === name) process.kill(process.pid, "SIGKILL");
}
