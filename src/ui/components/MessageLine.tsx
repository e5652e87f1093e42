import React from 'react';
import { Text } from 'ink';
import type { Message } from '../checkout-controller.js';
import { fit } from '../format.js';

const COLORS = { info: undefined, ok: 'green', error: 'red' } as const;

export function MessageLine({ message, width }: { message: Message | null; width: number }) {
  return (
    <Text color={message ? COLORS[message.tone] : undefined} bold={message?.tone === 'error'} wrap="truncate">
      {message ? fit(' ' + message.text, width) : ' '}
    </Text>
  );
}
