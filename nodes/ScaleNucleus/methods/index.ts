import { searchDatasets } from '../../shared/listSearch';

export const listSearch = { searchDatasets };
