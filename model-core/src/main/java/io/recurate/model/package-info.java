/**
 * The built-in filter model: featurizer, trainer, ONNX export, ONNX Runtime scoring and model
 * bundles. Not built yet: issue 3 fills this module; the reactor and the dependency direction
 * (services depend on it, it depends on nothing of recurate's) are in place.
 */
package io.recurate.model;
