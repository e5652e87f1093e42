import { describe, expect, it } from 'vitest';
import { gs1CheckDigit, hasValidCheckDigit, parseInStoreCode, parseScan, paymentCodeKind, validateBarcode, withCheckDigit } from '../../src/core/barcode.js';

describe('GTIN check digits', () => {
  it.each([
    ['6901234567892', true, 'EAN-13'],
    ['6901234567893', false, 'EAN-13 with a wrong check digit'],
    ['6920152400777', true, 'EAN-13'],
    ['96385074', true, 'EAN-8'],
    ['96385075', false, 'EAN-8 with a wrong check digit'],
    ['036000291452', true, 'UPC-A'],
    ['036000291453', false, 'UPC-A with a wrong check digit'],
    ['12345', false, 'too short for a GTIN'],
    ['69012345678a', false, 'letters'],
  ])('%s valid=%s (%s)', (code, valid) => {
    expect(hasValidCheckDigit(code)).toBe(valid);
  });

  it('computes the check digit of a body', () => {
    expect(gs1CheckDigit('690123456789')).toBe(2);
    expect(withCheckDigit('692015240077')).toBe('6920152400777');
  });
});

describe('validateBarcode: what the catalog accepts', () => {
  it('keeps leading zeros and internal codes as typed', () => {
    expect(validateBarcode('036000291452')).toBe('036000291452');
    expect(validateBarcode('A-1001')).toBe('A-1001');
  });

  it.each([
    ['6901234567893', /wrong check digit \(the last digit should be 2\)/],
    ['6.90123E+12', /Excel turned into scientific notation/],
    ['', /empty/],
    ['可乐', /not a barcode/],
    ['12 34', /not a barcode/],
  ])('rejects %j', (code, reason) => {
    expect(() => validateBarcode(code)).toThrow(reason);
  });
});

describe('in-store scale codes: 2 + flag + 5-digit item + 5-digit value + check', () => {
  it('reads a price-embedded label', () => {
    const code = withCheckDigit('210000101280'); // item 00001, price 12.80
    expect(parseInStoreCode(code)).toEqual({ itemCode: '00001', priceFen: 1280 });
  });

  it('reads a weight-embedded label', () => {
    const code = withCheckDigit('221000201234'); // item 10002, 1234 g
    expect(parseInStoreCode(code)).toEqual({ itemCode: '10002', grams: 1234 });
  });

  it('ignores a label with a wrong check digit and a non-2 prefix', () => {
    const good = withCheckDigit('221000201234');
    const bad = good.slice(0, 12) + ((Number(good[12]) + 1) % 10);
    expect(parseInStoreCode(bad)).toBeUndefined();
    expect(parseInStoreCode('6901234567892')).toBeUndefined();
  });

  it('follows configured rules instead of the defaults', () => {
    const rules = [{ prefix: '28', itemStart: 2, itemEnd: 6, valueStart: 6, valueEnd: 12, value: 'weight' as const }];
    const code = withCheckDigit('281234000750');
    expect(parseInStoreCode(code, rules)).toEqual({ itemCode: '1234', grams: 750 });
    expect(parseInStoreCode(withCheckDigit('221000201234'), rules)).toBeUndefined();
  });
});

describe('payment codes', () => {
  it.each([
    ['134567890123456789', 'wechat'],
    ['104567890123456789', 'wechat'],
    ['164567890123456789', undefined], // 16 is not a WeChat prefix
    ['2812345678901234', 'alipay'], // 16 digits
    ['301234567890123456789012', 'alipay'], // 24 digits
    ['241234567890123456', undefined],
    ['6901234567892', undefined],
  ])('%s → %s', (code, kind) => expect(paymentCodeKind(code)).toBe(kind));
});

describe('parseScan routes a code in DESIGN.md order', () => {
  it('payment code before anything else', () => {
    expect(parseScan('134567890123456789')).toMatchObject({ kind: 'payment', method: 'wechat' });
  });
  it('in-store code before GTIN (scale labels are valid EAN-13 too)', () => {
    expect(parseScan(withCheckDigit('221000201234'))).toMatchObject({ kind: 'in-store', itemCode: '10002', grams: 1234 });
  });
  it('GTIN, or a bad check digit that must not match a product', () => {
    expect(parseScan('6901234567892')).toEqual({ kind: 'gtin', code: '6901234567892', gtin: 'EAN-13' });
    expect(parseScan('6901234567893')).toEqual({ kind: 'bad-check-digit', code: '6901234567893' });
  });
  it('internal codes and search text', () => {
    expect(parseScan('A1001')).toEqual({ kind: 'internal', code: 'A1001' });
    expect(parseScan('kkkl')).toEqual({ kind: 'text', text: 'kkkl' });
    expect(parseScan('可乐')).toEqual({ kind: 'text', text: '可乐' });
  });
});
