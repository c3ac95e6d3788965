/** Bilingual labels the simulator returns (the API speaks both languages; the bot picks one). */
import type { Bilingual, MaritalStatus, Relationship, RequestKind, RequestStatus } from '../adapters/services/types';

export const STATUS_LABELS: Record<RequestStatus, Bilingual> = {
  recorded: { ar: 'قيدت', en: 'Recorded' },
  submitted: { ar: 'تم تقديم الطلب', en: 'Submitted' },
  under_review: { ar: 'قيد الدراسة', en: 'Under review' },
  needs_info: { ar: 'بانتظار استكمال المعلومات', en: 'More information needed' },
  approved: { ar: 'تمت الموافقة', en: 'Approved' },
  rejected: { ar: 'مرفوض', en: 'Rejected' },
  resolved: { ar: 'تمت المعالجة', en: 'Resolved' },
  cancelled: { ar: 'ملغى', en: 'Cancelled' },
};

export const KIND_LABELS: Record<RequestKind, Bilingual> = {
  iqama_renewal: { ar: 'تجديد هوية مقيم لأحد أفراد الأسرة', en: "Family member's iqama renewal" },
  passport_update: { ar: 'تحديث معلومات الجواز المجدد', en: 'Renewed passport details update' },
  travel_permit: { ar: 'تصريح سفر لأحد أفراد الأسرة', en: 'Family member travel permit' },
  exit_reentry_visa: { ar: 'تأشيرة خروج وعودة', en: 'Exit/re-entry visa' },
  tawasul: { ar: 'طلب تواصل', en: 'Tawasul request' },
};

export const RELATIONSHIP_LABELS: Record<Relationship, Bilingual> = {
  spouse: { ar: 'زوجة', en: 'Wife' },
  son: { ar: 'ابن', en: 'Son' },
  daughter: { ar: 'ابنة', en: 'Daughter' },
  father: { ar: 'أب', en: 'Father' },
  mother: { ar: 'أم', en: 'Mother' },
};

export const MARITAL_LABELS: Record<MaritalStatus, Bilingual> = {
  single: { ar: 'أعزب', en: 'Single' },
  married: { ar: 'متزوج', en: 'Married' },
  divorced: { ar: 'مطلق', en: 'Divorced' },
  widowed: { ar: 'أرمل', en: 'Widowed' },
};
