/**
 * Test helper: validates BOD documents against dombridge's own schemas (schemas/*.xsd).
 *
 * One compiled schema covers the five namespaces (udt, oa, _wcf, _inv, _ord): an in-memory driver schema
 * imports every file of schemas/, so any BOD root of these namespaces
 * (including oa:ConfirmBOD and xsi:type="_wcf:ApplicationAreaType") can be validated.
 *
 * The schema files are served to libxml2 from memory (read once per load), keyed by their file URL, so
 * the sibling schemaLocation imports resolve without touching the file system again.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  XmlBufferInputProvider,
  XmlDocument,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';

export interface BodValidator {
  /** Error messages; [] when the document is valid. Malformed XML gives the parse errors. */
  validate(xml: string): string[];
  dispose(): void;
}

/** The namespaces the compiled schema covers, by conventional prefix. */
export const BOD_NAMESPACES = {
  oa: 'http://www.openapplications.org/oagis/9',
  udt: 'http://www.openapplications.org/oagis/9/unqualifieddatatypes/1.1',
  _wcf: 'http://www.ibm.com/xmlns/prod/commerce/9/foundation',
  _inv: 'http://www.ibm.com/xmlns/prod/commerce/9/inventory',
  _ord: 'http://www.ibm.com/xmlns/prod/commerce/9/order',
} as const;

/** The schema files the validator compiles, with their target namespaces (dependency order). */
export const BOD_SCHEMA_FILES: ReadonlyArray<readonly [string, string]> = [
  [BOD_NAMESPACES.udt, 'UnqualifiedDataTypes.xsd'],
  [BOD_NAMESPACES.oa, 'OAGIS9.xsd'],
  [BOD_NAMESPACES._wcf, 'Foundation.xsd'],
  [BOD_NAMESPACES._ord, 'Order.xsd'],
  [BOD_NAMESPACES._inv, 'Inventory.xsd'],
];

const DRIVER_NAME = '__dombridge-all-bods__.xsd';

/**
 * The repository root: the nearest folder, walking up from this module, holding both package.json and
 * schemas/. Works from test/support/ (ts sources) and from dist/test/support/ (compiled).
 */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no folder with package.json and schemas/ above ${start}`);
    }
    dir = parent;
  }
}

/** The schemas/ folder of the repository. */
export function schemasDir(): string {
  return join(findRepoRoot(), 'schemas');
}

/** Every *.xsd in schemas/, as absolute paths. */
export function schemaFiles(): string[] {
  const dir = schemasDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.xsd'))
    .sort()
    .map((name) => join(dir, name));
}

// libxml2 input providers are process-global and cannot be unregistered one by one, so a single
// provider is registered once and its buffers are refreshed on every load.
let provider: XmlBufferInputProvider | undefined;

function bufferProvider(): XmlBufferInputProvider {
  if (provider === undefined) {
    provider = new XmlBufferInputProvider({});
    if (!xmlRegisterInputProvider(provider)) {
      provider = undefined;
      throw new Error('libxml2-wasm: could not register the schema input provider');
    }
  }
  return provider;
}

function messagesOf(err: unknown): string[] {
  if (err instanceof XmlLibError && err.details.length > 0) {
    return err.details.map((d) => {
      const where = d.line ? `line ${d.line}${d.col ? `:${d.col}` : ''}: ` : '';
      return `${where}${d.message.trim()}`;
    });
  }
  return [err instanceof Error ? err.message : String(err)];
}

/**
 * Parse and compile the schemas once. Call dispose() when done.
 * @param dir the schemas folder (default: <repo root>/schemas)
 */
export async function loadBodValidator(dir: string = schemasDir()): Promise<BodValidator> {
  const baseUrl = pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`);
  const inputs = bufferProvider();
  const encoder = new TextEncoder();

  for (const [, file] of BOD_SCHEMA_FILES) {
    inputs.addBuffer(new URL(file, baseUrl).href, readFileSync(join(dir, file)));
  }

  const driverUrl = new URL(DRIVER_NAME, baseUrl).href;
  const driver =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">\n' +
    BOD_SCHEMA_FILES.map(([ns, file]) => `  <xsd:import namespace="${ns}" schemaLocation="${file}"/>\n`).join('') +
    '</xsd:schema>\n';
  inputs.addBuffer(driverUrl, encoder.encode(driver));

  // The driver document stays alive as long as the compiled schema (libxml2 may keep node pointers).
  let schemaDoc: XmlDocument | undefined;
  let validator: XsdValidator;
  try {
    schemaDoc = XmlDocument.fromString(driver, { url: driverUrl });
    validator = XsdValidator.fromDoc(schemaDoc);
  } catch (err) {
    schemaDoc?.dispose();
    throw new Error(`schemas do not compile:\n  ${messagesOf(err).join('\n  ')}`);
  }
  const driverDoc = schemaDoc;

  let disposed = false;
  return {
    validate(xml: string): string[] {
      if (disposed) throw new Error('BodValidator used after dispose()');
      let doc: XmlDocument;
      try {
        doc = XmlDocument.fromString(xml);
      } catch (err) {
        return messagesOf(err).map((m) => `not well-formed: ${m}`);
      }
      try {
        validator.validate(doc);
        return [];
      } catch (err) {
        return messagesOf(err);
      } finally {
        doc.dispose();
      }
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      validator.dispose();
      driverDoc.dispose();
    },
  };
}
