import { scanFlows } from './scan';

// Without JavaScript: the photo upload is a plain multipart form.
scanFlows(false);
