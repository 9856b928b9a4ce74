/** A host's variables, by name: what the inventory, the roles and the templates share. */
export type Vars = Record<string, unknown>;
