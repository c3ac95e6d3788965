/**
 * The services client's one error taxonomy (adapters/services/types.ts) mapped to what a
 * person is told, in their language. Task dialogs call describeServiceError() and, for an
 * expired session, re-verify (see verifyIdentityDialog.ts) instead of showing an error.
 */
import { isServiceError, type ServiceError } from '../adapters/services/types';
import type { ConversationData, Translate } from './deps';
import type { Lang } from './understanding/normalize';

/** The access token is missing, expired or refused: verify again and retry the step. */
export function isSessionExpired(err: unknown): err is ServiceError {
  return isServiceError(err) && err.kind === 'unauthorized';
}

/** A localised sentence for any error a services call threw (never the raw message). */
export function describeServiceError(t: Translate, lang: Lang, err: unknown): string {
  if (!isServiceError(err)) return t(lang, 'services:error.unavailable');
  switch (err.kind) {
    case 'unauthorized':
      return t(lang, 'services:error.sessionExpired');
    case 'not_found':
      return t(lang, 'services:error.notFound');
    case 'validation':
      return err.field ? t(lang, 'services:error.validationField', { field: err.field }) : t(lang, 'services:error.validation');
    case 'conflict':
      return t(lang, 'services:error.conflict');
    case 'rate_limited': {
      const minutes = Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60));
      return t(lang, 'services:error.rateLimited', { count: minutes });
    }
    case 'unavailable':
      return t(lang, 'services:error.unavailable');
  }
}

/** Forgets the access token (after it was refused, or when the user cancels). */
export function clearSession(data: ConversationData): void {
  delete data.session;
}
