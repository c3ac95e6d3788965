import { describe, expect, it } from 'vitest';
import { isDeleteDataRequest } from '../../dialogs/deleteDataDialog';

describe('isDeleteDataRequest: the rule list of the delete-my-data command', () => {
  it('hears the request and its close variants in Arabic and English', () => {
    for (const text of ['احذف بياناتي', 'امسح بياناتي', 'ابي احذف معلوماتي', 'أبغى أمسح كل بياناتي لو سمحت', 'delete my data', 'Erase my data', 'please delete all my personal data', 'احذف بياناتي!']) {
      expect(isDeleteDataRequest(text), text).toBe(true);
    }
  });
  it('does not take free text that only mentions data', () => {
    for (const text of ['', 'my data is wrong in my iqama', 'بياناتي غلط في الاقامة', 'how do you protect my data?', 'احذف الطلب', 'delete my request']) {
      expect(isDeleteDataRequest(text), text).toBe(false);
    }
  });
});
