import { inspect } from 'node:util';

/**
 * Holds a credential so that logging, JSON serialisation or string interpolation of any object
 * containing it prints a placeholder. Only `reveal()` yields the value, at the point of use.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
