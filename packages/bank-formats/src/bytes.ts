/**
 * Bytes in: re-openable sources, encoding detection and streaming decoding.
 *
 * Every reader takes an `Opener`, a function that starts reading the bytes
 * from the beginning, so that detection can look at the whole file and the
 * lines can then be read in a second pass, neither holding the file in memory.
 */
import iconv from 'iconv-lite';
import type { ByteSource, Detected, TextEncoding } from './types.ts';

export type Opener = () => AsyncIterable<Uint8Array>;

const CHUNK = 64 * 1024;

async function* chunksOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK) yield bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK));
}

async function* fromIterable(iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of iterable) yield chunk;
}

function isIterable(value: unknown): value is Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && (Symbol.asyncIterator in (value as object) || Symbol.iterator in (value as object));
}

/** A source as an opener. A one-shot iterable is read once into memory (there is no other way to read it twice). */
export async function toOpener(source: ByteSource): Promise<Opener> {
  if (source instanceof Uint8Array) return () => chunksOf(source);
  if (typeof source === 'string') {
    const bytes = new TextEncoder().encode(source);
    return () => chunksOf(bytes);
  }
  if (typeof source === 'function') return () => fromIterable(source());
  if (isIterable(source)) {
    const parts: Uint8Array[] = [];
    for await (const chunk of source) parts.push(chunk);
    return () => fromIterable(parts);
  }
  throw new TypeError('a bank file source must be bytes, a string, an iterable of byte chunks, or a function that opens one');
}

/** The first `limit` bytes (or the whole file when shorter). */
export async function readHead(open: Opener, limit = CHUNK): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of open()) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= limit) break;
  }
  const head = new Uint8Array(Math.min(length, limit));
  let offset = 0;
  for (const part of parts) {
    const take = Math.min(part.length, head.length - offset);
    head.set(part.subarray(0, take), offset);
    offset += take;
    if (offset >= head.length) break;
  }
  return head;
}

export function bomOf(head: Uint8Array): { encoding: TextEncoding; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** Watches every byte of a file to decide its encoding: valid UTF-8 throughout, or 8-bit. */
export class EncodingSniffer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private utf8Valid = true;
  private multibyte = false;
  private c1 = 0;
  private high = 0;
  private offset = 0;
  private firstInvalid: { offset: number; byte: number } | null = null;

  add(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i]!;
      if (byte >= 0x80) {
        this.high += 1;
        if (byte <= 0x9f) this.c1 += 1;
      }
    }
    if (this.utf8Valid && this.high > 0) {
      try {
        const text = this.decoder.decode(chunk, { stream: true });
        if (!this.multibyte && /\P{ASCII}/u.test(text)) this.multibyte = true;
      } catch {
        this.utf8Valid = false;
        const at = chunk.findIndex((byte) => byte >= 0x80);
        this.firstInvalid = { offset: this.offset + Math.max(at, 0), byte: chunk[Math.max(at, 0)] ?? 0 };
      }
    }
    this.offset += chunk.length;
  }

  decide(bom: boolean): Detected<TextEncoding> {
    if (this.utf8Valid) {
      try {
        this.decoder.decode();
      } catch {
        this.utf8Valid = false;
      }
    }
    if (bom) {
      return { value: 'utf-8', source: 'content', confidence: 1, evidence: 'UTF-8 byte-order mark', ambiguous: false, alternatives: [] };
    }
    if (this.utf8Valid) {
      return {
        value: 'utf-8',
        source: 'content',
        confidence: 1,
        evidence: this.multibyte
          ? `all ${this.offset} bytes are valid UTF-8, with multi-byte characters`
          : `all ${this.offset} bytes are ASCII (identical in UTF-8, Windows-1252 and Latin-1)`,
        ambiguous: false,
        alternatives: [],
      };
    }
    const where =
      this.firstInvalid === null
        ? ''
        : `byte 0x${this.firstInvalid.byte.toString(16).toUpperCase()} near offset ${this.firstInvalid.offset} is not UTF-8; `;
    if (this.c1 > 0) {
      return {
        value: 'windows-1252',
        source: 'content',
        confidence: 0.95,
        evidence: `${where}${this.c1} bytes in 0x80-0x9F are Windows-1252 punctuation (€, ‘’, “”, –), control codes in Latin-1`,
        ambiguous: false,
        alternatives: [],
      };
    }
    return {
      value: 'windows-1252',
      source: 'content',
      confidence: 0.9,
      evidence: `${where}8-bit text without 0x80-0x9F bytes: Latin-1 and Windows-1252 read it the same way`,
      ambiguous: false,
      alternatives: ['iso-8859-1'],
    };
  }
}

/** Bytes to text chunks in the given encoding, the byte-order mark dropped. */
export async function* decodeText(open: Opener, encoding: TextEncoding): AsyncIterable<string> {
  let first = true;
  if (encoding === 'utf-8' || encoding === 'utf-16le' || encoding === 'utf-16be') {
    const decoder = new TextDecoder(encoding, { ignoreBOM: false });
    for await (const chunk of open()) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield first ? stripBom(text) : text;
      if (text !== '') first = false;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
    return;
  }
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of open()) {
    const text = decoder.write(chunk as Parameters<typeof decoder.write>[0]);
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== undefined && rest !== '') yield rest;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface TextLine {
  readonly text: string;
  /** 1-based physical line number. */
  readonly number: number;
}

/** Text chunks to physical lines (\r\n, \n or \r), numbered from 1. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncIterable<TextLine> {
  let carry = '';
  let number = 0;
  let pendingCr = false;
  for await (const chunk of chunks) {
    let text = chunk;
    if (pendingCr && text.startsWith('\n')) text = text.slice(1);
    pendingCr = false;
    const data = carry + text;
    let start = 0;
    for (let i = 0; i < data.length; i += 1) {
      const code = data.charCodeAt(i);
      if (code === 10 || code === 13) {
        number += 1;
        yield { text: data.slice(start, i), number };
        if (code === 13) {
          if (i + 1 < data.length) {
            if (data.charCodeAt(i + 1) === 10) i += 1;
          } else {
            pendingCr = true;
          }
        }
        start = i + 1;
      }
    }
    carry = data.slice(start);
  }
  if (carry !== '') {
    number += 1;
    yield { text: carry, number };
  }
}

/** The encoding a file declares (OFX CHARSET/ENCODING header, XML declaration), if any. */
export function declaredEncoding(headText: string): { encoding: TextEncoding; evidence: string } | null {
  const xml = /<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(headText);
  if (xml !== null) {
    const named = canonical(xml[1]!);
    if (named !== null) return { encoding: named, evidence: `XML declaration says encoding="${xml[1]}"` };
  }
  const ofxEncoding = /^\s*ENCODING:\s*(\S+)/im.exec(headText)?.[1];
  const ofxCharset = /^\s*CHARSET:\s*(\S+)/im.exec(headText)?.[1];
  if (ofxEncoding !== undefined) {
    if (/^(UTF-?8|UNICODE)$/i.test(ofxEncoding)) return { encoding: 'utf-8', evidence: `OFX header ENCODING:${ofxEncoding}` };
    if (ofxCharset !== undefined) {
      if (/^(1252|WINDOWS-1252|CP1252)$/i.test(ofxCharset))
        return { encoding: 'windows-1252', evidence: `OFX header CHARSET:${ofxCharset}` };
      if (/^(8859-1|ISO-8859-1|LATIN1?)$/i.test(ofxCharset))
        return { encoding: 'iso-8859-1', evidence: `OFX header CHARSET:${ofxCharset}` };
    }
  }
  return null;
}

function canonical(name: string): TextEncoding | null {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf-8' || n === 'utf8') return 'utf-8';
  if (n === 'windows-1252' || n === 'cp1252') return 'windows-1252';
  if (n === 'iso-8859-1' || n === 'latin1' || n === 'latin-1' || n === 'iso8859-1') return 'iso-8859-1';
  if (n === 'utf-16le') return 'utf-16le';
  if (n === 'utf-16be' || n === 'utf-16') return 'utf-16be';
  return null;
}
