/**
 * One piece of work per turn of the event loop. With hundreds of hosts in flight, answers arrive together
 * (one timer or socket poll holds many: a node's scripts, a runtime's gRPC replies), and each host then
 * parses and plans synchronously until its next request: run one after another in the same turn, they
 * would hold the loop for seconds, with the live view frozen and Ctrl-C unheard. Whoever hands a host an
 * answer awaits `nextTurn()` first: every waiter is let go in a turn of its own, one setImmediate each, so
 * the loop polls timers, signals and sockets between any two hosts' steps. One queue for every kind of
 * answer (the transports' and the CRI clients'), so hosts take turns with each other whatever they wait for.
 */
const waiting: (() => void)[] = [];
let pumping = false;

function pump(): void {
  const next = waiting.shift();
  if (!next) {
    pumping = false;
    return;
  }
  next();
  // Scheduled from inside a check phase: runs in the next turn of the loop, after its timers and poll.
  setImmediate(pump);
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}
