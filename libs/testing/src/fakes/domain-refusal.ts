import { DomainError } from '@seckill/contracts';

/** The DomainError `p` is refused with. Any other error is rethrown, and an answer fails the test. */
export async function domainRefusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('it was not refused');
}
