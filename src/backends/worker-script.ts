/**
 * Starting gradlab's own module workers on a page that enforces Trusted Types
 * (`require-trusted-types-for 'script'`). There `new Worker(url)` is refused unless the URL is a
 * TrustedScriptURL, so gradlab makes one through a policy of its own, named "gradlab", that vouches
 * only for scripts of the library's own origin (the worker files it ships beside its chunks). A
 * page that also lists the policies it allows (`trusted-types …`) names `gradlab` and `lit-html`
 * (Lit's). Without Trusted Types (other browsers, Node) the URL is passed as it is.
 */

/** The part of the Trusted Types API used here (not yet in TypeScript's DOM library). */
interface ScriptUrlPolicy {
  createScriptURL(url: string): unknown;
}
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): ScriptUrlPolicy;
}

/** The policy's name, for a page's `trusted-types` directive. */
export const TRUSTED_TYPES_POLICY = 'gradlab';

let policy: ScriptUrlPolicy | null | undefined;

/** A script URL the policy vouches for: only one of the library's own origin. */
function ownScript(url: string): string {
  const resolved = new URL(url, globalThis.location?.href);
  const own = new URL(import.meta.url).origin;
  if (resolved.origin !== own)
    throw new TypeError(`gradlab starts workers only from its own origin (${own}), not ${url}`);
  return resolved.href;
}

/** gradlab's policy, made once; null where Trusted Types are absent or the page allows no such policy. */
function scriptUrlPolicy(): ScriptUrlPolicy | null {
  if (policy !== undefined) return policy;
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  try {
    policy = factory
      ? factory.createPolicy(TRUSTED_TYPES_POLICY, { createScriptURL: ownScript })
      : null;
  } catch {
    // The page's `trusted-types` directive does not allow the name: the Worker constructor then
    // refuses the plain URL, and the runs happen on the page (as under `worker-src 'none'`).
    policy = null;
  }
  return policy;
}

/** A module worker from one of gradlab's worker files, whatever the page's Trusted Types policy. */
export function startModuleWorker(url: string, name: string): Worker {
  const trusted = scriptUrlPolicy()?.createScriptURL(url) ?? url;
  return new Worker(trusted as string, { type: 'module', name });
}
