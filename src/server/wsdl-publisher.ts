import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_DIR, WSDL_DIR } from '../paths.js';

/** Host header values we put into documents: host names, IPv4/IPv6 literals and a port. Anything else is refused. */
const SAFE_HOST = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Serves our WSDLs and XSDs. Files are read once at start-up. A WSDL's soap:address is rewritten per request to
 * the host that asked (so a generated client calls back where it found us), and its `../schemas/` imports to
 * absolute URLs under /schemas/, where every XSD is served; XSDs import each other by sibling name.
 */
export class WsdlPublisher {
  private readonly wsdl = new Map<string, string>();
  private readonly xsd = new Map<string, string>();

  constructor() {
    for (const f of readdirSync(WSDL_DIR)) if (f.endsWith('.wsdl')) this.wsdl.set(f, readFileSync(join(WSDL_DIR, f), 'utf8'));
    for (const f of readdirSync(SCHEMA_DIR)) if (f.endsWith('.xsd')) this.xsd.set(f, readFileSync(join(SCHEMA_DIR, f), 'utf8'));
  }

  static baseUrl(hostHeader: string | undefined, fallbackHost: string): string {
    const host = hostHeader && SAFE_HOST.test(hostHeader) ? hostHeader : fallbackHost;
    return `http://${host}`;
  }

  /** The WSDL file for a service path, addressed to `base`. */
  serviceWsdl(file: string, servicePath: string, base: string): string | undefined {
    const text = this.wsdl.get(file);
    if (!text) return undefined;
    return text
      .replace(/(<(?:[\w-]+:)?address\b[^>]*\blocation=")[^"]*(")/g, `$1${base}${servicePath}$2`)
      .replace(/schemaLocation="\.\.\/schemas\//g, `schemaLocation="${base}/schemas/`);
  }

  schema(name: string): string | undefined {
    return this.xsd.get(name);
  }

  wsdlFile(name: string, base: string): string | undefined {
    const text = this.wsdl.get(name);
    return text?.replace(/schemaLocation="\.\.\/schemas\//g, `schemaLocation="${base}/schemas/`);
  }
}
