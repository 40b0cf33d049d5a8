import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { fileErrorMessage, relativeHref, shownPath, writeOutputFile } from './files.js';

const folder = () => mkdtempSync(join(tmpdir(), 'dscheck-io-'));

describe('writeOutputFile', () => {
  it('refuses to write onto an input, also through a symbolic link, and leaves the input alone', async () => {
    const dir = folder();
    const history = join(dir, 'h.ndjson');
    writeFileSync(history, '{"process":0}\n');
    await expect(writeOutputFile(history, '<html>', [history])).rejects.toThrow(UsageError);
    const link = join(dir, 'page.html');
    symlinkSync(history, link);
    await expect(writeOutputFile(link, '<html>', [history])).rejects.toThrow(/input/);
    const viaFolderLink = join(dir, 'again');
    symlinkSync(dir, viaFolderLink);
    await expect(writeOutputFile(join(viaFolderLink, 'h.ndjson'), 'x', [history])).rejects.toThrow(/input/);
    expect(readFileSync(history, 'utf8')).toBe('{"process":0}\n');
  });

  it('replaces a file whole and leaves no temporary file behind', async () => {
    const dir = folder();
    const page = join(dir, 'index.html');
    writeFileSync(page, 'old');
    await writeOutputFile(page, 'new');
    expect(readFileSync(page, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['index.html']);
  });

  it('keeps the old file and removes its temporary file when the write fails', async () => {
    const dir = folder();
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    const failure = await writeOutputFile(target, 'new').catch((err: unknown) => err);
    expect(fileErrorMessage(failure)).toMatch(/cannot replace .*busy/);
    expect(readdirSync(dir)).toEqual(['busy']);
  });
});

describe('relativeHref', () => {
  it('is a ./ path with every segment percent-encoded, so no folder name becomes a scheme', () => {
    expect(relativeHref('/r', '/r/javascript:alert(1)/index.html')).toBe(
      './javascript%3Aalert(1)/index.html',
    );
    expect(relativeHref('/r/a', '/r/b #?%/x')).toBe('../b%20%23%3F%25/x');
  });
});

describe('shownPath', () => {
  it('is relative inside the working directory and absolute outside it, never ../..', () => {
    expect(shownPath(join(process.cwd(), 'reports', 'x', 'index.html'))).toBe(
      join('reports', 'x', 'index.html'),
    );
    expect(shownPath(process.cwd())).toBe('.');
    const outside = join(tmpdir(), 'mx', 'index.html');
    expect(shownPath(outside)).toBe(resolve(outside));
    expect(shownPath(join('..', 'elsewhere'))).toBe(resolve('..', 'elsewhere'));
  });
});

describe('fileErrorMessage', () => {
  it('names the path and the reason in words for file calls, and nothing for sockets', () => {
    const err = Object.assign(new Error('x'), { code: 'EACCES', syscall: 'open', path: '/x/y' });
    expect(fileErrorMessage(err)).toBe('cannot open /x/y: permission denied (EACCES)');
    const socket = Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'connect', address: '/s' });
    expect(fileErrorMessage(socket)).toBeUndefined();
    expect(fileErrorMessage(new Error('plain'))).toBeUndefined();
  });
});
