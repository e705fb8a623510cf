// What a bad config gets, as the user sees it: one ConfigError line.
import { expect } from "chai";
import { ConfigError } from "../../config";

/** Runs `run`, which must throw a ConfigError of one line, and returns its message. */
export function configFailure(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n"), message).to.have.length(1, "one line");
    return message;
  }
  throw new Error("expected a ConfigError");
}
