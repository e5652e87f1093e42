// HH:MM for the status bar; re-renders only when the minute changes.
import { useEffect, useState } from 'react';

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

export function useClock(now: () => Date = () => new Date()): string {
  const [time, setTime] = useState(() => hhmm(now()));
  useEffect(() => {
    const timer = setInterval(() => setTime(hhmm(now())), 1000);
    timer.unref?.();
    return () => clearInterval(timer);
  }, [now]);
  return time;
}
