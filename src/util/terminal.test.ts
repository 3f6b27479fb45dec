/**
 * Terminal escaping of untrusted text: hubble's two spellings (`terminal.go`:
 * ESC → `^[`, CR → `\r`) and the controls hubble lets through.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, hasControls } from './terminal.js';

describe('escapeControls', () => {
  const cases: [string, string, string][] = [
    ['plain text is untouched, backslashes included', 'default/x-1 C:\\path é 日本', 'default/x-1 C:\\path é 日本'],
    ['ESC as hubble writes it', '\x1b[31mred', '^[[31mred'],
    ['CR as hubble writes it', 'a\rb', 'a\\rb'],
    ['a newline cannot forge a line', 'pod\nJan  1 00:00:00.000: fake', 'pod\\nJan  1 00:00:00.000: fake'],
    ['tab cannot add a table column', 'a\tb', 'a\\tb'],
    ['OSC title sequence with BEL', '\x1b]0;owned\x07', '^[]0;owned\\x07'],
    ['backspace, NUL, DEL', '\b\0\x7f', '\\x08\\x00\\x7f'],
    ['C1 CSI (one-byte escape on some terminals)', '\x9b31m', '\\x9b31m'],
    ['bidi override (Trojan Source)', 'abc\u202edef', 'abc\\u202edef'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      assert.equal(escapeControls(input), want);
      assert.equal(hasControls(escapeControls(input)), false);
    });
  }
});
