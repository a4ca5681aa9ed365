/**
 * Listing a bucket (S3 ListObjectsV2, or an S3-compatible store), for Dataset Item → Sync from Bucket:
 *  - credentials.ts  the bucket credential as the node reads it, and where a bucket is addressed
 *  - request.ts      one signed ListObjectsV2 request (Signature V4 by the aws4 library)
 *  - listPage.ts     the XML answer of one page → keys, sizes, ETags, folders, next token
 *  - pages.ts        the page walk: continuation tokens, page cap, repeated-page detection, cancel
 *  - walk.ts         every object under a prefix, its folders listed several at a time
 *  - http.ts         the GET itself (undici), with S3's error answers turned into node errors
 */
export { bucketCredentials, type BucketCredentials } from './credentials';
export { parseListPage, type BucketObject, type ListPage } from './listPage';
export { listPages, type ListOptions, type PageFetcher } from './pages';
export { signedListRequest, type ListRequest } from './request';
export { fetchListPage } from './http';
export { walkBucket, type WalkOptions } from './walk';
