// Telling a scan from typing (checkout/scan-detect.ts): what came with its Enter in one chunk,
// or a code no person types by hand at the end of the line.
import { describe, expect, test } from 'vitest';
import { scannedCode } from '../../src/checkout/scan-detect.js';
import { ALIPAY_CODE, COLA, WECHAT_CODE } from './helpers.js';

describe('scan or typing', () => {
  test('a code that arrived with its Enter is a scan', () => {
    expect(scannedCode(COLA, COLA)).toBe(COLA);
    expect(scannedCode(`kkkl${COLA}`, COLA)).toBe(COLA);
    expect(scannedCode('A123', 'A123')).toBe('A123');
    expect(scannedCode(`3*${COLA}`, `3*${COLA}`)).toBe(COLA);
  });

  test('keys typed one by one are typing, unless the line ends in a GTIN or a payment code', () => {
    expect(scannedCode('20%', '')).toBeNull();
    expect(scannedCode('9999', '')).toBeNull();
    expect(scannedCode('12345678', '')).toBeNull(); // an 8-digit PIN is typing
    expect(scannedCode(`kkkl${COLA}`, '')).toBe(COLA);
    expect(scannedCode(`x${WECHAT_CODE}`, '')).toBe(WECHAT_CODE);
    expect(scannedCode(ALIPAY_CODE, '')).toBe(ALIPAY_CODE);
    expect(scannedCode('6901234567890', '')).toBeNull(); // wrong check digit
  });

  test('the burst must be long enough for the mode', () => {
    expect(scannedCode('abc', 'abc')).toBeNull();
    expect(scannedCode('kkkl', 'kkkl', 8)).toBeNull();
    expect(scannedCode('ab cd', 'ab cd')).toBeNull();
  });
});
