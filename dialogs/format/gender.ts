/**
 * Grammatical gender of a family member, for Arabic agreement ("مواطن سعودي" / "مواطنة سعودية"),
 * passed to i18next as `context` (keys ending _male / _female). The services API gives a
 * relation, not a gender: son and father are male, daughter and mother female, and a spouse
 * takes the gender of the relation's own label (wife / husband).
 */
import type { Dependent } from '../../adapters/services/types';

export type Gender = 'male' | 'female';

export function genderOf(d: Pick<Dependent, 'relationship' | 'relationshipLabel'>): Gender {
  switch (d.relationship) {
    case 'daughter':
    case 'mother':
      return 'female';
    case 'son':
    case 'father':
      return 'male';
    case 'spouse':
      return /husband/i.test(d.relationshipLabel.en) || d.relationshipLabel.ar.trim() === 'زوج' ? 'male' : 'female';
  }
}
