/**
 * Reminder consents in the simulator: a person (bearer token) consents to the bot reading,
 * with its service key, the first names and iqama expiry dates of their dependents; the
 * consent id is all the bot keeps. Revoked consents answer 404.
 */
import { randomBytes } from 'node:crypto';
import type { ReminderConsent, ReminderExpiries } from '../adapters/services/reminderConsents';
import { SimError, invalid } from './errors';
import type { SimStore } from './store';

export class SimReminderConsents {
  private consents = new Map<string, { owner: string; createdAt: number }>();

  constructor(private readonly store: SimStore) {}

  create(owner: string): ReminderConsent {
    const withIqama = this.store.listDependents(owner).filter((d) => d.iqama !== null).length;
    if (withIqama === 0) throw invalid('dependents', 'no dependent holds an iqama', 'no_iqama_dependents');
    const consentId = `rc_${randomBytes(12).toString('hex')}`;
    this.consents.set(consentId, { owner, createdAt: this.store.clock.now() });
    return { consentId, dependentsWithIqama: withIqama };
  }

  expiries(consentId: string): ReminderExpiries {
    const consent = this.consents.get(consentId);
    if (!consent) throw new SimError(404, 'consent_not_found', 'no such consent (revoked or unknown)');
    const expiries = this.store
      .listDependents(consent.owner)
      .filter((d) => d.iqama !== null)
      .map((d) => ({
        dependentId: d.id,
        firstName: { ar: d.name.ar.split(' ')[0] ?? d.name.ar, en: d.name.en.split(' ')[0] ?? d.name.en },
        relationship: d.relationship,
        expiryDate: d.iqama!.expiryDate,
      }));
    return { consentId, now: new Date(this.store.clock.now()).toISOString(), today: this.store.today(), expiries };
  }

  revoke(consentId: string): { revoked: boolean } {
    return { revoked: this.consents.delete(consentId) };
  }

  clear(): void {
    this.consents.clear();
  }
}
