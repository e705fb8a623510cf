// Kubernetes resource quantities (`10Gi`, `500M`, `1.5e9`), read with the grammar of
// k8s.io/apimachinery pkg/api/resource/quantity.go (v0.36.3):
//   <quantity> ::= <signedNumber><suffix>;  <number> ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix> ::= <binarySI> (Ki Mi Gi Ti Pi Ei) | <decimalExponent> (e|E <signed integer>) | <decimalSI> (n u m "" k M G T P E)
// No maintained npm package reads them strictly, so the value is kept exact (a fraction of
// two integers): `5m` is five thousandths, not five megabytes, and a size must say so.

export interface Quantity {
  readonly text: string;
  /** The value is numerator / denominator, exactly. */
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
  Ei: 2n ** 60n,
};
const DECIMAL: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE]?)$/;
/** apimachinery caps a quantity at 2^63-1; an exponent beyond this is out of any range used here. */
const MAX_EXPONENT = 40;
const INT64_MAX = 2n ** 63n - 1n;

/** Reads a quantity, or undefined when Kubernetes would refuse it (or it has no digit at all). */
export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = "", suffix] = m;
  if (whole === "" && fraction === "") return undefined;
  let numerator = BigInt(`${whole || "0"}${fraction}`) * (sign === "-" ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  let exponent = 0;
  if (suffix in BINARY) numerator *= BINARY[suffix];
  else if (suffix in DECIMAL) exponent = DECIMAL[suffix];
  else exponent = Number(suffix.slice(1));
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { text, numerator, denominator };
}

/** The quantity as a whole count (bytes), or undefined when it has a fraction or exceeds int64. */
export function wholeQuantity(q: Quantity): bigint | undefined {
  if (q.numerator % q.denominator !== 0n) return undefined;
  const n = q.numerator / q.denominator;
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : n;
}

/** A positive whole number of bytes, or undefined. */
export function quantityBytes(text: string): bigint | undefined {
  const q = parseQuantity(text);
  const n = q === undefined ? undefined : wholeQuantity(q);
  return n !== undefined && n > 0n ? n : undefined;
}
