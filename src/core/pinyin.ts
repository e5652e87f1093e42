// Pinyin initials for search ("可口可乐" → "kkkl"), computed once when a product is written.
import { pinyin } from 'pinyin-pro';

/** Lower-case initials of the Chinese characters plus the letters and digits of the rest. */
export function pinyinInitials(name: string): string {
  const parts = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' });
  return parts.join('').toLowerCase().replace(/[^a-z0-9]/g, '');
}
