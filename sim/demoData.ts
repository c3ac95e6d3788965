/**
 * Deterministic demo people. Dates are offsets from the simulator's "today", so the cases
 * (expired passport, valid insurance, …) hold whatever day the demo runs. The README table
 * is generated from this file's comments; keep them in step.
 */
import type { Bilingual, HealthInsurance, MaritalStatus, PersonKind, Relationship } from '../adapters/services/types';
import { addDays, addYears } from './clock';

export interface DemoPersonSeed {
  idNumber: string;
  kind: PersonKind;
  name: Bilingual;
  nationality: Bilingual;
  /** Years before today (and extra days, so birthdays do not fall on demo day). */
  ageYears: number;
  maritalStatus: MaritalStatus;
  /** Days from today; null = citizen (no iqama). */
  iqamaExpiresInDays: number | null;
  passportNumber: string;
  passportExpiresInDays: number;
  insurance: { status: HealthInsurance['status']; expiresInDays?: number };
  nationalAddress: boolean;
  medicalExamRequired: boolean;
  unpaidFees: number;
  violations: { count: number; amount: number };
}

export interface DemoDependentSeed extends DemoPersonSeed {
  id: string;
  relationship: Relationship;
  /** The demo case this dependent stands for (documentation and tests). */
  demoCase: string;
}

export interface DemoSponsorSeed extends DemoPersonSeed {
  mobile: string;
  /** What this person demonstrates. */
  demoCase: string;
  dependents: DemoDependentSeed[];
}

const EGYPT: Bilingual = { ar: 'مصر', en: 'Egypt' };
const INDIA: Bilingual = { ar: 'الهند', en: 'India' };
const PAKISTAN: Bilingual = { ar: 'باكستان', en: 'Pakistan' };
const SAUDI: Bilingual = { ar: 'السعودية', en: 'Saudi Arabia' };

const valid = { status: 'valid' as const, expiresInDays: 240 };
const clean = { nationalAddress: true, medicalExamRequired: false, unpaidFees: 0, violations: { count: 0, amount: 0 } };

export const DEMO_PEOPLE: DemoSponsorSeed[] = [
  {
    idNumber: '2345678904',
    kind: 'resident',
    name: { ar: 'أحمد حسن عبدالرحمن', en: 'Ahmed Hassan Abdelrahman' },
    nationality: EGYPT,
    ageYears: 44,
    maritalStatus: 'married',
    iqamaExpiresInDays: 150,
    passportNumber: 'A28841937',
    passportExpiresInDays: 1500,
    insurance: valid,
    ...clean,
    mobile: '0551234512',
    demoCase: 'resident sponsor with six dependents, one per renewal case; updates his own renewed passport',
    dependents: [
      {
        id: 'D1001', relationship: 'spouse', demoCase: 'eligible for iqama renewal',
        idNumber: '2451187625', kind: 'resident', name: { ar: 'منى إبراهيم السيد', en: 'Mona Ibrahim Elsayed' },
        nationality: EGYPT, ageYears: 38, maritalStatus: 'married', iqamaExpiresInDays: 20,
        passportNumber: 'A30512268', passportExpiresInDays: 900, insurance: valid, ...clean,
      },
      {
        id: 'D1002', relationship: 'son', demoCase: 'passport expired (travel permit allowed: 15, single)',
        idNumber: '2519043364', kind: 'resident', name: { ar: 'عمر أحمد حسن', en: 'Omar Ahmed Hassan' },
        nationality: EGYPT, ageYears: 15, maritalStatus: 'single', iqamaExpiresInDays: 12,
        passportNumber: 'A19930475', passportExpiresInDays: -10, insurance: valid, ...clean,
      },
      {
        id: 'D1003', relationship: 'daughter', demoCase: 'no health insurance',
        idNumber: '2234055172', kind: 'resident', name: { ar: 'ليلى أحمد حسن', en: 'Layla Ahmed Hassan' },
        nationality: EGYPT, ageYears: 11, maritalStatus: 'single', iqamaExpiresInDays: 25,
        passportNumber: 'A27716530', passportExpiresInDays: 700, insurance: { status: 'missing' }, ...clean,
      },
      {
        id: 'D1004', relationship: 'son', demoCase: 'unpaid traffic violations (2, 900 SAR)',
        idNumber: '2377881202', kind: 'resident', name: { ar: 'يوسف أحمد حسن', en: 'Youssef Ahmed Hassan' },
        nationality: EGYPT, ageYears: 20, maritalStatus: 'single', iqamaExpiresInDays: -5,
        passportNumber: 'A26650981', passportExpiresInDays: 1100, insurance: valid, ...clean,
        violations: { count: 2, amount: 900 },
      },
      {
        id: 'D1005', relationship: 'mother', demoCase: 'medical examination required',
        idNumber: '2388110450', kind: 'resident', name: { ar: 'فاطمة محمود علي', en: 'Fatma Mahmoud Ali' },
        nationality: EGYPT, ageYears: 66, maritalStatus: 'widowed', iqamaExpiresInDays: 30,
        passportNumber: 'A15529804', passportExpiresInDays: 1300, insurance: valid, ...clean,
        medicalExamRequired: true,
      },
      {
        id: 'D1006', relationship: 'daughter', demoCase: 'no national address; travel permit refused (23)',
        idNumber: '2499532105', kind: 'resident', name: { ar: 'نور أحمد حسن', en: 'Nour Ahmed Hassan' },
        nationality: EGYPT, ageYears: 23, maritalStatus: 'single', iqamaExpiresInDays: 40,
        passportNumber: 'A29948316', passportExpiresInDays: 1000, insurance: valid, ...clean,
        nationalAddress: false,
      },
    ],
  },
  {
    idNumber: '2100398474',
    kind: 'resident',
    name: { ar: 'محمد عرفان خان', en: 'Mohammed Irfan Khan' },
    nationality: INDIA,
    ageYears: 47,
    maritalStatus: 'married',
    iqamaExpiresInDays: 300,
    passportNumber: 'Z4471290',
    passportExpiresInDays: 2000,
    insurance: valid,
    ...clean,
    mobile: '0509876547',
    demoCase: 'resident sponsor: several failures at once, a married child, a renewal in progress',
    dependents: [
      {
        id: 'D2001', relationship: 'spouse', demoCase: 'health insurance expired and unpaid fees (two failures)',
        idNumber: '2112307844', kind: 'resident', name: { ar: 'عائشة بيغم', en: 'Ayesha Begum' },
        nationality: INDIA, ageYears: 41, maritalStatus: 'married', iqamaExpiresInDays: 15,
        passportNumber: 'Z5528104', passportExpiresInDays: 1200, insurance: { status: 'expired', expiresInDays: -30 }, ...clean,
        unpaidFees: 1200,
      },
      {
        id: 'D2002', relationship: 'daughter', demoCase: 'married at 19: travel permit refused; eligible for renewal',
        idNumber: '2388644037', kind: 'resident', name: { ar: 'زينب محمد خان', en: 'Zainab Mohammed Khan' },
        nationality: INDIA, ageYears: 19, maritalStatus: 'married', iqamaExpiresInDays: 45,
        passportNumber: 'Z6630417', passportExpiresInDays: 1600, insurance: valid, ...clean,
      },
      {
        id: 'D2003', relationship: 'son', demoCase: 'renewal already in progress (request 400000102)',
        idNumber: '2476620550', kind: 'resident', name: { ar: 'عمران محمد خان', en: 'Imran Mohammed Khan' },
        nationality: INDIA, ageYears: 8, maritalStatus: 'single', iqamaExpiresInDays: 3,
        passportNumber: 'Z7719023', passportExpiresInDays: 1400, insurance: valid, ...clean,
      },
    ],
  },
  {
    idNumber: '1104837263',
    kind: 'citizen',
    name: { ar: 'عبدالله صالح القحطاني', en: 'Abdullah Saleh Alqahtani' },
    nationality: SAUDI,
    ageYears: 50,
    maritalStatus: 'married',
    iqamaExpiresInDays: null,
    passportNumber: 'S0482215',
    passportExpiresInDays: 1800,
    insurance: valid,
    ...clean,
    mobile: '0533344481',
    demoCase: 'citizen: travel permits for his children (no iqamas to renew)',
    dependents: [
      {
        id: 'D3001', relationship: 'daughter', demoCase: 'travel permit active (cancel it)',
        idNumber: '1093345559', kind: 'citizen', name: { ar: 'ريم عبدالله القحطاني', en: 'Reem Abdullah Alqahtani' },
        nationality: SAUDI, ageYears: 17, maritalStatus: 'single', iqamaExpiresInDays: null,
        passportNumber: 'S0713342', passportExpiresInDays: 1400, insurance: valid, ...clean,
      },
      {
        id: 'D3002', relationship: 'son', demoCase: 'travel permit can be issued (14, single)',
        idNumber: '1184562559', kind: 'citizen', name: { ar: 'سعد عبدالله القحطاني', en: 'Saad Abdullah Alqahtani' },
        nationality: SAUDI, ageYears: 14, maritalStatus: 'single', iqamaExpiresInDays: null,
        passportNumber: 'S0820961', passportExpiresInDays: 1000, insurance: valid, ...clean,
      },
      {
        id: 'D3003', relationship: 'son', demoCase: 'travel permit refused (22)',
        idNumber: '1187731557', kind: 'citizen', name: { ar: 'فيصل عبدالله القحطاني', en: 'Faisal Abdullah Alqahtani' },
        nationality: SAUDI, ageYears: 22, maritalStatus: 'single', iqamaExpiresInDays: null,
        passportNumber: 'S0399105', passportExpiresInDays: 600, insurance: valid, ...clean,
      },
    ],
  },
  {
    idNumber: '2475512550',
    kind: 'resident',
    name: { ar: 'بلال أحمد شيخ', en: 'Bilal Ahmed Sheikh' },
    nationality: PAKISTAN,
    ageYears: 29,
    maritalStatus: 'single',
    iqamaExpiresInDays: 60,
    passportNumber: 'BK8841026',
    passportExpiresInDays: 1200,
    insurance: valid,
    ...clean,
    mobile: '0567788893',
    demoCase: 'resident with no dependents',
    dependents: [],
  },
];

/** A valid-format ID that is not registered (for "not found" demos). */
export const UNREGISTERED_ID = '2456781554';

export function birthDate(today: string, ageYears: number): string {
  // 37 days earlier than the exact anniversary keeps ages stable for a month of demos.
  return addDays(addYears(today, -ageYears), -37);
}
