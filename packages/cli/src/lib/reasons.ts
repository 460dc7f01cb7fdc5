/** Stable reason codes the coordinator records, said in words. */
const readable: Record<string, string> = {
  worker_lost: 'its worker was lost and it had no attempts left (see --retries)',
};

export function reasonText(reason: string | null | undefined): string | undefined {
  if (!reason) return undefined;
  return readable[reason] ?? reason;
}
