import { testBucketCredential } from '../../shared/bucket/credentialTest';
import { testNucleusCredential } from '../../shared/credentialTest';
import { searchDatasets } from '../../shared/listSearch';

export const listSearch = { searchDatasets };

export const credentialTest = { scaleNucleusApiTest: testNucleusCredential, testBucketCredential };
