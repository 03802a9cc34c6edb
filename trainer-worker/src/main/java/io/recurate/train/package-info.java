/**
 * Turns a finished pass into the next model version. Not built yet: issue 5 fills this module.
 */
package io.recurate.train;
