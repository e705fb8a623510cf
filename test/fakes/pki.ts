// Throwaway certificate authorities for TLS tests, made with the openssl CLI (Debian's openssl
// package; Node can make keys but not X.509 certificates). Keys are EC P-256: fast to make.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface KeyPair {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate. */
  readonly cert: string;
}

export interface TestCa extends KeyPair {
  /** A server certificate for an IP address (default 127.0.0.1), signed by this CA. */
  serverCert(ip?: string): KeyPair;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), "utf8");

/** A self-signed root CA valid for a day. */
export function makeCa(commonName: string): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-ca-"));
  try {
    openssl(dir, [
      "req",
      ...["-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", `/CN=${commonName}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
    const ca = { key: read(dir, "ca.key"), cert: read(dir, "ca.crt") };
    return { ...ca, serverCert: (ip = "127.0.0.1") => issue(ca, ip) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function issue(ca: KeyPair, ip: string): KeyPair {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-cert-"));
  try {
    fs.writeFileSync(path.join(dir, "ca.key"), ca.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "ca.crt"), ca.cert);
    fs.writeFileSync(
      path.join(dir, "ext.cnf"),
      `subjectAltName=IP:${ip}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(dir, [
      "req",
      ...["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${ip}`],
    ]);
    openssl(dir, [
      "x509",
      ...["-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"],
      ...["-days", "1", "-extfile", "ext.cnf", "-out", "server.crt"],
    ]);
    return { key: read(dir, "server.key"), cert: read(dir, "server.crt") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
