import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

const HOURS_PER_DAY = 24;

/**
 * X.509's upper bound on a subject CommonName (RFC 5280 appendix A, ub-common-name); cert-manager
 * v1.21.1 refuses a longer `spec.commonName` (internal/apis/certmanager/validation/certificate.go).
 * A DNS name may be 253 characters, so names derived from the hostname are fitted to it.
 */
export const MAX_COMMON_NAME = 64;

/** The root CA's CommonName: `<hostname> root CA`, the hostname cut short when it would not fit. */
export function rootCaCommonName(hostname: string): string {
  const suffix = " root CA";
  const full = `${hostname}${suffix}`;
  if (full.length <= MAX_COMMON_NAME) return full;
  const ellipsis = "...";
  return `${hostname.slice(0, MAX_COMMON_NAME - suffix.length - ellipsis.length)}${ellipsis}${suffix}`;
}

/**
 * A server certificate's CommonName: its first DNS name when that fits, else none. Clients match
 * the subjectAltName dnsNames (RFC 6125; browsers ignore the CN), so nothing is lost.
 */
export function serverCommonName(dnsName: string): string | undefined {
  return dnsName.length <= MAX_COMMON_NAME ? dnsName : undefined;
}

export interface RootCaArgs {
  readonly commonName: pulumi.Input<string>;
  readonly validityDays: number;
}

/**
 * The project's own root CA. It signs Harbor's server certificate in dev and seeds
 * cert-manager's CA ClusterIssuer in prod; docker clients trust it via the `caCert` output.
 */
export class RootCa extends pulumi.ComponentResource {
  readonly privateKeyPem: pulumi.Output<string>;
  readonly certPem: pulumi.Output<string>;

  constructor(name: string, args: RootCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:tls:RootCa", name, {}, opts);
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P384" },
      { parent: this },
    );
    const cert = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: args.validityDays * HOURS_PER_DAY,
        // Renew well before expiry; a new CA means every client must trust it again.
        earlyRenewalHours: 30 * HOURS_PER_DAY,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        subject: { commonName: args.commonName, organization: "harbor-platform" },
      },
      { parent: this },
    );
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.certPem = cert.certPem;
    this.registerOutputs({ certPem: this.certPem });
  }
}

export interface ServerCertArgs {
  readonly ca: RootCa;
  readonly dnsNames: pulumi.Input<string>[];
  readonly validityDays: number;
}

/** A TLS server certificate signed by the project's root CA. */
export class ServerCert extends pulumi.ComponentResource {
  readonly privateKeyPem: pulumi.Output<string>;
  readonly certPem: pulumi.Output<string>;
  /** RFC 3339 end of validity; a `pulumi up` within `renewalDays` of it issues a new one. */
  readonly notAfter: pulumi.Output<string>;
  readonly renewalDays: number;

  constructor(name: string, args: ServerCertArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harbor-platform:tls:ServerCert", name, {}, opts);
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P256" },
      { parent: this },
    );
    const csr = new tls.CertRequest(
      `${name}-csr`,
      {
        privateKeyPem: key.privateKeyPem,
        dnsNames: args.dnsNames,
        // Kept when it fits, so existing certificates are not reissued for nothing.
        subject: {
          commonName: pulumi.output(args.dnsNames[0]).apply(serverCommonName),
          organization: "harbor-platform",
        },
      },
      { parent: this },
    );
    this.renewalDays = Math.min(30, Math.floor(args.validityDays / 3));
    const cert = new tls.LocallySignedCert(
      `${name}-cert`,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: args.ca.privateKeyPem,
        caCertPem: args.ca.certPem,
        validityPeriodHours: args.validityDays * HOURS_PER_DAY,
        earlyRenewalHours: this.renewalDays * HOURS_PER_DAY,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      { parent: this },
    );
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.certPem = cert.certPem;
    this.notAfter = cert.validityEndTime;
    this.registerOutputs({ certPem: this.certPem, notAfter: this.notAfter });
  }
}
