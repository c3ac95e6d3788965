/**
 * Tawasul sections and transaction types (seed 003: data correction, general inquiries,
 * iqama extension, passport renewal, other transactions) with the fields each type needs.
 */
import type { TawasulSection } from '../adapters/services/types';

const beneficiary = {
  name: 'beneficiaryIdNumber',
  label: { ar: 'رقم هوية المستفيد', en: "Beneficiary's ID number" },
  type: 'idNumber' as const,
  required: true,
};

export const TAWASUL_SECTIONS: TawasulSection[] = [
  {
    id: 'data_correction',
    label: { ar: 'تصحيح البيانات', en: 'Data correction' },
    transactionTypes: [
      {
        id: 'name_correction',
        label: { ar: 'تصحيح الاسم', en: 'Name correction' },
        description: {
          ar: 'تصحيح كتابة الاسم بالإنجليزية ليطابق جواز السفر.',
          en: 'Correct the English spelling of a name to match the passport.',
        },
        fields: [
          beneficiary,
          {
            name: 'correctNameEn',
            label: { ar: 'الاسم الصحيح بالإنجليزية كما في الجواز', en: 'Correct name in English, as in the passport' },
            type: 'text',
            required: true,
            minLength: 3,
            maxLength: 100,
            pattern: "^[A-Za-z][A-Za-z '\\-]*$",
          },
        ],
        attachments: { required: true, hint: { ar: 'صورة واضحة لصفحة بيانات الجواز.', en: 'A clear copy of the passport data page.' } },
      },
      {
        id: 'birth_date_correction',
        label: { ar: 'تصحيح تاريخ الميلاد', en: 'Date of birth correction' },
        description: {
          ar: 'تصحيح تاريخ الميلاد المسجل ليطابق الوثائق الرسمية.',
          en: 'Correct the recorded date of birth to match official documents.',
        },
        fields: [
          beneficiary,
          { name: 'correctDateOfBirth', label: { ar: 'تاريخ الميلاد الصحيح', en: 'Correct date of birth' }, type: 'date', required: true },
        ],
        attachments: {
          required: false,
          hint: { ar: 'يفضل إرفاق صورة الجواز أو شهادة الميلاد.', en: 'Attaching the passport or birth certificate is recommended.' },
        },
      },
    ],
  },
  {
    id: 'general_inquiries',
    label: { ar: 'الاستفسارات العامة', en: 'General inquiries' },
    transactionTypes: [
      {
        id: 'general_question',
        label: { ar: 'استفسار عام', en: 'General question' },
        description: { ar: 'سؤال عن إجراءات الجوازات.', en: 'A question about passports procedures.' },
        fields: [
          {
            name: 'topic',
            label: { ar: 'موضوع الاستفسار', en: 'Topic' },
            type: 'select',
            required: true,
            options: [
              { value: 'iqama', label: { ar: 'الإقامة', en: 'Iqama' } },
              { value: 'passport', label: { ar: 'الجواز', en: 'Passport' } },
              { value: 'visas', label: { ar: 'التأشيرات', en: 'Visas' } },
              { value: 'other', label: { ar: 'أخرى', en: 'Other' } },
            ],
          },
        ],
        attachments: { required: false, hint: { ar: 'المرفقات اختيارية.', en: 'Attachments are optional.' } },
      },
    ],
  },
  {
    id: 'iqama_extension',
    label: { ar: 'تمديد الإقامات', en: 'Iqama extension' },
    transactionTypes: [
      {
        id: 'iqama_extension_request',
        label: { ar: 'طلب تمديد إقامة', en: 'Iqama extension request' },
        description: {
          ar: 'تمديد إقامة لا يمكن تجديدها عبر الخدمات الإلكترونية المعتادة.',
          en: 'Extend an iqama that the regular e-services cannot renew.',
        },
        fields: [
          { name: 'iqamaNumber', label: { ar: 'رقم الإقامة', en: 'Iqama number' }, type: 'idNumber', required: true },
          { name: 'months', label: { ar: 'مدة التمديد بالأشهر', en: 'Extension in months' }, type: 'number', required: true, min: 1, max: 12 },
        ],
        attachments: { required: false, hint: { ar: 'أرفق ما يوضح سبب الطلب إن وجد.', en: 'Attach anything that explains the request, if any.' } },
      },
    ],
  },
  {
    id: 'passport_renewal',
    label: { ar: 'تجديد الجوازات', en: 'Passport renewal' },
    transactionTypes: [
      {
        id: 'renewed_passport_issue',
        label: { ar: 'تعذر تحديث بيانات الجواز المجدد', en: 'Renewed passport details could not be updated' },
        description: {
          ar: 'عندما لا تقبل خدمة تحديث معلومات الجواز بيانات الجواز الجديد.',
          en: 'When the passport update service does not accept the new passport.',
        },
        fields: [
          beneficiary,
          { name: 'passportNumber', label: { ar: 'رقم الجواز الجديد', en: 'New passport number' }, type: 'passportNumber', required: true, pattern: '^[A-Z0-9]{6,9}$' },
          { name: 'passportExpiry', label: { ar: 'تاريخ انتهاء الجواز الجديد', en: 'New passport expiry date' }, type: 'date', required: true },
        ],
        attachments: { required: true, hint: { ar: 'صورة صفحة بيانات الجواز الجديد.', en: 'A copy of the new passport data page.' } },
      },
    ],
  },
  {
    id: 'other',
    label: { ar: 'معاملات أخرى', en: 'Other transactions' },
    transactionTypes: [
      {
        id: 'other_transaction',
        label: { ar: 'معاملة أخرى', en: 'Other transaction' },
        description: { ar: 'أي معاملة أخرى تخص الجوازات.', en: 'Any other passports transaction.' },
        fields: [{ name: 'subject', label: { ar: 'الموضوع', en: 'Subject' }, type: 'text', required: true, minLength: 3, maxLength: 100 }],
        attachments: { required: false, hint: { ar: 'المرفقات اختيارية.', en: 'Attachments are optional.' } },
      },
    ],
  },
];
