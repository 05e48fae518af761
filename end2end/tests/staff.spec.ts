import { staffFlows } from './staff';

staffFlows(true);
