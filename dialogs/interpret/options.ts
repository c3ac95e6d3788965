/**
 * Options built from the services' data, named every way people name them: a dependent by
 * full name, first name (either language), relation ("بنتي", "my wife") or full ID number.
 */
import type { Dependent } from '../../adapters/services/types';
import { dependentsFor } from '../status/format';
import type { Relation } from '../understanding/types';
import type { StepOption } from './expectation';

const RELATIONS: readonly Relation[] = ['wife', 'husband', 'son', 'daughter', 'father', 'mother', 'child'];

/** The relations that name a dependent ("son" and "child" for a son). */
export function relationsOf(d: Pick<Dependent, 'relationship'>): Relation[] {
  return RELATIONS.filter((r) => dependentsFor([d as Dependent], r).length > 0);
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** A dependent as an option whose value is their ID number; names[0] / names[1] are the Arabic / English titles. */
export function dependentOption(d: Dependent): StepOption {
  return {
    value: d.idNumber,
    names: [d.name.ar, d.name.en, firstName(d.name.ar), firstName(d.name.en)],
    relations: relationsOf(d),
  };
}
