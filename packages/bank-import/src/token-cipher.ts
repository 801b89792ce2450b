/**
 * The Plaid access token at rest: AES-256-GCM (WebCrypto, in Node and Deno)
 * under a 32-byte key of the function's environment (PLAID_TOKEN_KEY, base64),
 * which never reaches the database. Each ciphertext has its own random 96-bit
 * IV and is bound to its item by associated data (`<space_id>:<item_id>`), so
 * a ciphertext copied to another row does not decrypt. Stored as
 * `v<version>:<base64 iv>:<base64 ciphertext+tag>`; the version names the key,
 * so a rotated key can sit beside the old one.
 */

export interface TokenCipher {
  readonly version: number;
  encrypt(plaintext: string, associatedData: string): Promise<string>;
  /** Throws when the text was not made by this key for this associated data. */
  decrypt(stored: string, associatedData: string): Promise<string>;
}

export const TOKEN_KEY_BYTES = 32;

const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unbase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A cipher under these 32 key bytes (PLAID_TOKEN_KEY, decoded by @wallai/function-env's readEnv). */
export function createTokenCipher(keyBytes: Uint8Array<ArrayBuffer>, version = 1): TokenCipher {
  if (keyBytes.length !== TOKEN_KEY_BYTES) throw new TypeError(`the token key must be ${TOKEN_KEY_BYTES} bytes`);
  // Imported once, on first use (not extractable).
  let imported: ReturnType<typeof crypto.subtle.importKey> | null = null;
  const keyOf = () => (imported ??= crypto.subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']));
  const encoder = new TextEncoder();
  return {
    version,
    async encrypt(plaintext, associatedData) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(associatedData) },
        await keyOf(),
        encoder.encode(plaintext),
      );
      return `v${version}:${base64(iv)}:${base64(new Uint8Array(sealed))}`;
    },
    async decrypt(stored, associatedData) {
      const [tag, iv, sealed] = stored.split(':');
      if (tag !== `v${version}` || iv === undefined || sealed === undefined) throw new Error(`not a v${version} token ciphertext`);
      const opened = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: unbase64(iv), additionalData: encoder.encode(associatedData) },
        await keyOf(),
        unbase64(sealed),
      );
      return new TextDecoder().decode(opened);
    },
  };
}
