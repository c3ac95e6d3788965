/**
 * What an open step expects, declared by the prompt that asks it (design.md, "Inside a task").
 * Plain data, kept in the prompt's options in dialog state, so the interpreter can read the
 * open step from the stack and the prompt can read its own answer with the same rules.
 * No botbuilder types: the interpreter built on these is pure.
 */
import type { Relation } from '../understanding/types';

/** One option of a choice: its value and every way of naming it (titles in both languages, synonyms). */
export interface StepOption {
  value: string;
  names: string[];
  /** Family relations that name this option (a dependent: "زوجتي", "my daughter"). */
  relations?: Relation[];
  /** A count of months this option stands for (a duration: "٦ شهور", "سنة"). */
  months?: number;
}

/** `passport`: a passport number, letters and digits ("A12345678"). */
export type NumberKind = 'id' | 'request' | 'code' | 'passport';

/** A field collected earlier that the user may correct by naming it, with or without its new value. */
export interface CorrectableField {
  name: string;
  /** Words that name the field ("المدة", "duration"). */
  words: string[];
  /** How its value is read from a sentence (`none`: the field is only named, and asked again). */
  value: 'months' | 'relation' | 'date' | 'passport' | 'none';
  /**
   * Only a message that names the field corrects it: two dates, or a number that could be
   * another field's, are told apart by their names ("the expiry date is …").
   */
  needsName?: boolean;
}

export type ExpectKind = 'choice' | 'yesno' | 'number' | 'date' | 'duration' | 'text' | 'file';

export interface Expectation {
  kind: ExpectKind;
  /** The options of a choice (also: values a number step offers, such as the user's dependents). */
  options?: StepOption[];
  /** The option a plain "yes" / "no" means, where the question reads as one. */
  yes?: string;
  no?: string;
  /** What sort of number a number step wants. */
  number?: NumberKind;
  /** Fields already collected that a correction may name. */
  fields?: CorrectableField[];
  /**
   * The task's closing question ("anything else for your family's permits?"): its work is done.
   * Asking for the same task again («وش صار على تصريح ريم؟ ابي الغيه») starts it over with what
   * the message says, and another task takes over with nothing left behind to lose.
   */
  closing?: boolean;
}
