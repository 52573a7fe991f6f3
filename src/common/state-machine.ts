/**
 * A state machine defined as data: states, an initial state, and a transition table. One small generic runner
 * serves every machine. The table is checked when the machine is built (at start-up): a transition to an unknown
 * state, or a state no path reaches from the initial one, throws there rather than surfacing as a stuck order.
 */
export interface MachineDefinition<S extends string> {
  readonly name: string;
  readonly initial: S;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
}

export type TransitionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class StateMachine<S extends string> {
  readonly states: readonly S[];

  constructor(readonly def: MachineDefinition<S>) {
    this.states = Object.keys(def.transitions) as S[];
    const known = new Set<string>(this.states);
    if (!known.has(def.initial)) throw new Error(`${def.name}: initial state ${def.initial} is not in the table`);
    for (const from of this.states) {
      for (const to of def.transitions[from]) {
        if (!known.has(to)) throw new Error(`${def.name}: transition ${from} → ${to} names an unknown state`);
      }
    }
    const reached = new Set<S>([def.initial]);
    const queue: S[] = [def.initial];
    while (queue.length) for (const to of def.transitions[queue.shift()!]) if (!reached.has(to)) { reached.add(to); queue.push(to); }
    const unreachable = this.states.filter((s) => !reached.has(s));
    if (unreachable.length) throw new Error(`${def.name}: unreachable states ${unreachable.join(', ')}`);
  }

  isState(s: string): s is S {
    return (this.states as readonly string[]).includes(s);
  }

  /** Whether the table allows from → to; staying in the same state is always allowed (idempotent updates). */
  check(from: S, to: S): TransitionCheck {
    if (from === to || this.def.transitions[from].includes(to)) return { ok: true };
    return { ok: false, reason: `${this.def.name} cannot go from ${from} to ${to}` };
  }
}
