/** Identifier patterns from the Organizations API reference, used both to validate input and to mint ids. */
export const RE = {
  account: /^\d{12}$/,
  ou: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  root: /^r-[0-9a-z]{4,32}$/,
  policy: /^p-[0-9a-zA-Z_]{8,128}$/,
  org: /^o-[a-z0-9]{10,32}$/,
  createAccountRequest: /^car-[a-z0-9]{8,32}$/,
};

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Mints unique AWS-shaped ids from a deterministic random source. */
export class IdMinter {
  constructor(
    private readonly rand: () => number,
    private readonly taken: (id: string) => boolean,
  ) {}

  private pick(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rand() * alphabet.length)];
    return s;
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.taken(id)) return id;
    }
  }

  org(): string {
    return "o-" + this.pick(LOWER_ALNUM, 10);
  }
  root(): string {
    return "r-" + this.pick(LOWER_ALNUM, 4);
  }
  ou(rootId: string): string {
    const rootPart = rootId.slice(2);
    return this.unique(() => `ou-${rootPart}-${this.pick(LOWER_ALNUM, 8)}`);
  }
  account(): string {
    // Leading digit non-zero keeps ids visually distinct from padded numbers; AWS has no such rule.
    return this.unique(() => this.pick("123456789", 1) + this.pick("0123456789", 11));
  }
  policy(): string {
    return this.unique(() => "p-" + this.pick(LOWER_ALNUM, 8));
  }
  createAccountRequest(): string {
    return this.unique(() => "car-" + this.pick(LOWER_ALNUM, 12));
  }
  hex(n: number): string {
    return this.pick("0123456789abcdef", n);
  }
  upperAlnum(n: number): string {
    return this.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n);
  }
}
