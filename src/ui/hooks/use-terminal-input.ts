// Raw terminal input for the checkout. Ink's useInput names only some keys (no function keys)
// and hands a scanner burst over as one string anyway, so the checkout takes Ink's input events
// as they are — already split into text runs and escape sequences by Ink's parser — and does its
// own decoding (core/scan-buffer.ts, ui/keymap.ts).
import { useEffect } from 'react';
import { useStdin } from 'ink';

export function useTerminalInput(handler: (chunk: string) => void, isActive = true): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  useEffect(() => {
    if (!isActive || !isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, isRawModeSupported, setRawMode]);
  useEffect(() => {
    if (!isActive) return;
    events.on('input', handler);
    return () => {
      events.removeListener('input', handler);
    };
  }, [isActive, events, handler]);
}
