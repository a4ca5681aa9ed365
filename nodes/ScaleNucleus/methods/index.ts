import { testBucketCredential } from '../../shared/bucket/credentialTest';
import { searchDatasets } from '../../shared/listSearch';

export const listSearch = { searchDatasets };

export const credentialTest = { testBucketCredential };
